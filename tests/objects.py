"""Objects of agency A in each interesting state, for the permission matrix and the security tests.

Features add builders here as they add models; `secrets()` lists strings that must never appear in
a response to a user who cannot see the object.
"""

from dataclasses import dataclass, field


@dataclass
class Objects:
    items: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.items[name]
        except KeyError:
            raise AttributeError(name) from None

    def secrets(self) -> list[str]:
        return [getattr(obj, "title", "") for obj in self.items.values() if getattr(obj, "title", "")]


# name -> function(world) -> object; filled in by feature modules below.
BUILDERS: dict = {}


def build_objects(world) -> Objects:
    return Objects({name: build(world) for name, build in BUILDERS.items()})
