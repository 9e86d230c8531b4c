"""Real models through litellm: the only package that imports it, and only lazily.

Import the sub-modules you need (`studio.llm.client`, `studio.llm.settings`);
nothing here imports litellm until a model call is actually made.
"""
