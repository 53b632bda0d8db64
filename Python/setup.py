"""Marks the wheel as platform-specific: it carries a native executable.

The wheel holds no Python extension, so it works with every Python 3 on the
platform: the tag is py3-none-linux_<arch>, which `auditwheel repair` turns
into a manylinux tag.
"""

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.dist import Distribution


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
