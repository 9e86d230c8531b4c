"""Ships `sample_projects/` inside the wheel as `studio/sample_projects` package data.

The samples stay at the top of the checkout (the README opens
`sample_projects/food-delivery`, tests and people edit them there); an installed
wheel has no checkout, so the build copies them into the package, where
studio.core.samples finds them through importlib.resources. Everything else is
in pyproject.toml."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SAMPLES = Path(__file__).resolve().parent / "sample_projects"
LEAVE_OUT = shutil.ignore_patterns("library.sqlite*", "__pycache__", "*.pyc", ".studio*")


class BuildWithSamples(build_py):
    def run(self):
        super().run()
        if SAMPLES.is_dir() and not self.editable_mode:
            target = Path(self.build_lib) / "studio" / "sample_projects"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(SAMPLES, target, ignore=LEAVE_OUT)


setup(cmdclass={"build_py": BuildWithSamples})
