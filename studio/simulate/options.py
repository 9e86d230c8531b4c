"""RunOptions: the public name from the runner contract (defined in runtime, which reads it)."""
from studio.runtime.options import RunOptions, engine_name

__all__ = ["RunOptions", "engine_name"]
