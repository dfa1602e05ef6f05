"""The images a deck declares (`demos/<deck>/images.yaml`) and the images it uses.

`images.yaml` maps each image, written exactly as the slides write it, to its recipe:

```yaml
containous/whoami:v1.5.0: whoami          # a built-in recipe (see recipes.BUILTIN)
busybox:1.36: busybox
outil/maison:1.0: {go: github.com/org/outil/cmd/outil@v1.0.0}
nginx:1.27: {debian: [nginx]}
```

`used()` finds every image a deck uses: `image:` lines of its manifests and YAML blocks,
`kubectl run … --image=…` and `kubectl set image … NAME=IMAGE` in its commands, each with its
file and line. `check()` fails on the first image used but not declared, with the line to add.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from diapo.cluster.images.recipes import BUILTIN, Recipe, Spec, from_options
from diapo.errors import ClusterError, Location

FILE = "images.yaml"
_IMAGE_LINE = re.compile(r"^\s*(?:-\s+)?image:\s*[\"']?([^\"'\s#]+)")
_RUN_IMAGE = re.compile(r"--image[= ][\"']?([^\"'\s]+)")
_SET_IMAGE = re.compile(r"\bset\s+image\s+(?:-\S+\s+)*\S+((?:\s+[\w.-]+=[^\s;&|]+)+)")
_TEMPLATE = re.compile(r"[$<{]")  # "$IMAGE", "<image>", "{{ .image }}": not a literal name


def declared_file(demos_dir: Path) -> Path:
    """`demos/<deck>/images.yaml`."""
    return Path(demos_dir) / FILE


def load(demos_dir: Path) -> dict[str, tuple[Spec, Recipe]]:
    """The images declared in `demos_dir/images.yaml` ({} when there is none)."""
    path = declared_file(demos_dir)
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ClusterError(f"YAML invalide : {getattr(err, 'problem', err)}",
                           Location(str(path), line)) from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ClusterError("images.yaml attend une table « image: recette »",
                           Location(str(path), root.start_mark.line + 1))
    result: dict[str, tuple[Spec, Recipe]] = {}
    for key, value in root.value:
        where = Location(str(path), key.start_mark.line + 1)
        name = str(key.value)
        if not isinstance(key, yaml.ScalarNode) or not name or _TEMPLATE.search(name):
            raise ClusterError(f"nom d'image invalide : {name!r}", where)
        data = yaml.safe_load(yaml.serialize(value))
        if isinstance(data, str):
            if data not in BUILTIN:
                raise ClusterError(f"recette inconnue « {data} » pour {name} (recettes : "
                                   f"{', '.join(sorted(BUILTIN))}, ou {{go: …}} / {{debian: […]}})",
                                   where)
            result[name] = (Spec(name, data), BUILTIN[data])
        elif isinstance(data, dict):
            try:
                recipe = from_options(data, name)
            except ClusterError as err:
                raise ClusterError(err.message, where) from None
            result[name] = (Spec(name, "custom", data), recipe)
        else:
            raise ClusterError(f"recette attendue pour {name} (un nom ou une table)", where)
    return result


def used(files: list[Path]) -> list[tuple[str, Location]]:
    """Every literal image name in `files` (manifests, deck Markdown), with its location."""
    found: list[tuple[str, Location]] = []
    for path in files:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            names = []
            match = _IMAGE_LINE.match(line)
            if match:
                names.append(match[1])
            names += _RUN_IMAGE.findall(line)
            for pairs in _SET_IMAGE.findall(line):
                names += [pair.split("=", 1)[1] for pair in pairs.split()]
            found += [(name, Location(str(path), number)) for name in names
                      if not _TEMPLATE.search(name)]
    return found


def deck_files(deck: Path, demos_dir: Path) -> list[Path]:
    """The deck's Markdown and the manifests of its demos directory."""
    files = [Path(deck)]
    if Path(demos_dir).is_dir():
        files += sorted(p for p in Path(demos_dir).rglob("*")
                        if p.suffix in (".yaml", ".yml", ".json", ".sh") and p.name != FILE)
    return files


def check(deck: Path, demos_dir: Path, provided: tuple[str, ...] = ()) -> dict[str, tuple[Spec, Recipe]]:
    """The deck's declared images; ClusterError naming the first used image that is not declared
    (nor in `provided`, the cluster's own images), or that has no tag.

    Without a tag (or with `:latest`) the kubelet always pulls (`imagePullPolicy: Always`),
    which no cluster without a registry can do: the error says to write a tag.
    """
    declared = load(demos_dir)
    known = {name.removeprefix("docker.io/").removeprefix("library/") for name in declared}
    known |= set(provided)
    for name, where in used(deck_files(deck, demos_dir)):
        short = name.removeprefix("docker.io/").removeprefix("library/")
        last = short.rsplit("/", 1)[-1]
        if ":" not in last or last.endswith(":latest"):
            raise ClusterError(f"image « {name} » sans tag (ou :latest) : le kubelet voudrait la "
                               "télécharger à chaque démarrage, et ce cluster n'a pas de registre",
                               where, hint=f"écrivez un tag (ex : {short.split(':')[0]}:1.0) et "
                                           f"déclarez-la dans {declared_file(demos_dir)}")
        if short not in known:
            raise ClusterError(
                f"image inconnue « {name} » : le cluster local n'a pas de registre, chaque image "
                f"est construite sur la machine", where,
                hint=f"déclarez-la dans {declared_file(demos_dir)}, ex : « {short}: "
                     f"{{debian: [paquet]}} » ou « {short}: {{go: module/cmd@version}} » "
                     f"(recettes : {', '.join(sorted(BUILTIN))})")
    return declared
