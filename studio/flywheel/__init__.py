"""The analyze stage: production conversations in; divergences, analytics and new
regressions out. Qt-free: the `studio conversations` CLI and the Conversations screen
share it."""
