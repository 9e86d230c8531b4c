"""The Conversations screen: production conversations, their replay through today's
procedures side by side, Save as simulation, and charts over time."""


def install_conversations(window):
    """A "Conversations" dock on `window`, built the first time it is shown."""
    from .host import ConversationsHost
    window.conversations_host = ConversationsHost(window)
    return window.conversations_host
