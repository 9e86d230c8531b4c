"""Importing this module imports litellm (3-5 s of CPU).

Run-all's fork server preloads it by name when a run uses a model, so every worker
process starts with litellm already in memory (imported once, in the background,
while the library loads) instead of each importing it on its first call.
Nothing imports it otherwise: offline work never loads litellm.
"""
from .client import import_litellm

import_litellm()
