"""What `sam build` left in .aws-sam/build is what Lambda (Python 3.12 on arm64) can run (ADR 0016).

`make build-check` runs `sam build` and then this module with BUILD_CHECK=1, where a missing build fails. Run
any other way (the whole suite, say) it is skipped unless .aws-sam/build exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from infrastructure.local.template import function_handlers, load_template

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"
LAYER = BUILD / "SharedLayer" / "python"
REQUIREMENTS = ROOT / "requirements.txt"

pytestmark = pytest.mark.skipif(
    not BUILD.exists() and not os.environ.get("BUILD_CHECK"),
    reason="no .aws-sam/build: run `make build-check`",
)

# Lambda's python3.12 runtime on arm64, for evaluating dependency markers as pip did for the layer.
TARGET_ENVIRONMENT = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.0",
    "os_name": "posix",
    "platform_machine": "aarch64",
    "platform_python_implementation": "CPython",
    "platform_system": "Linux",
    "python_full_version": "3.12.0",
    "python_version": "3.12",
    "sys_platform": "linux",
}
ELF_MAGIC = b"\x7fELF"
ELF_MACHINE_AARCH64 = 183  # e_machine of an AArch64 ELF file (x86-64 is 62)


@pytest.fixture(autouse=True)
def _built() -> None:
    assert LAYER.is_dir(), f"{LAYER} is missing: `sam build` did not build SharedLayer (run `make build-check`)"


def pinned_requirements() -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line]


def layer_distributions() -> dict[NormalizedName, Distribution]:
    found = {canonicalize_name(dist.metadata["Name"]): dist for dist in distributions(path=[str(LAYER)])}
    assert found, f"no .dist-info in {LAYER}"
    return found


def marker_holds(marker: Marker | None, extras: set[str]) -> bool:
    if marker is None:
        return True
    return any(marker.evaluate({**TARGET_ENVIRONMENT, "extra": extra}) for extra in extras or {""})


def files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path.relative_to(root)


@pytest.mark.parametrize("requirement", pinned_requirements(), ids=str)
def test_each_pinned_requirement_is_in_the_layer_at_its_exact_version(requirement: Requirement) -> None:
    pins = [spec for spec in requirement.specifier if spec.operator == "=="]
    assert len(pins) == 1, f"requirements.txt must pin {requirement} exactly (==)"
    dist = layer_distributions().get(canonicalize_name(requirement.name))
    assert dist is not None, f"{requirement.name} is not in the layer"
    assert dist.version == pins[0].version, f"{requirement.name} is {dist.version} in the layer, pinned {pins[0]}"


def test_every_dependency_of_every_requirement_is_in_the_layer() -> None:
    """The whole closure, extras included (docopt for notifications-python-client, aws-xray-sdk for [tracer])."""
    installed = layer_distributions()
    problems: list[str] = []
    seen: set[tuple[NormalizedName, frozenset[str]]] = set()
    pending = [(requirement, "requirements.txt") for requirement in pinned_requirements()]
    while pending:
        requirement, wanted_by = pending.pop()
        name = canonicalize_name(requirement.name)
        dist = installed.get(name)
        if dist is None:
            problems.append(f"{requirement} (wanted by {wanted_by}) is not in the layer")
            continue
        if not requirement.specifier.contains(dist.version, prereleases=True):
            problems.append(f"{requirement} (wanted by {wanted_by}) but the layer has {dist.version}")
        extras = frozenset(requirement.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in dist.requires or []:
            dependency = Requirement(line)
            if marker_holds(dependency.marker, set(extras)):
                pending.append((dependency, f"{dist.metadata['Name']} {dist.version}"))
    assert not problems, "\n".join(problems)


def test_every_distribution_is_pure_python_or_built_for_arm64() -> None:
    wrong = []
    for name, dist in layer_distributions().items():
        tags = [
            line.split(":", 1)[1].strip()
            for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")
        ]
        assert tags, f"{name} has no WHEEL tags: it was not installed from a wheel"
        for tag in tags:
            python, abi, platform = tag.split("-")
            pure = abi == "none" and platform == "any"
            cpython312 = (python, abi) == ("cp312", "cp312") or (python.startswith("cp3") and abi == "abi3")
            arm64 = cpython312 and platform.startswith("manylinux") and platform.endswith("_aarch64")
            if not (pure or arm64):
                wrong.append(f"{name} {dist.version}: {tag}")
    assert not wrong, "not for Lambda's python3.12 on arm64:\n" + "\n".join(wrong)


def test_every_native_file_in_the_layer_is_aarch64() -> None:
    """No x86_64 (or any other) machine code: every ELF file is AArch64, every extension module named so."""
    wrong = []
    for path in sorted(LAYER.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        where = path.relative_to(LAYER)
        if path.suffix == ".so" and ("x86_64" in path.name or "x86-64" in path.name):
            wrong.append(f"{where}: an x86_64 extension")
        elif (
            path.suffix == ".so"
            and ".cpython-" in path.name
            and not path.name.endswith(".cpython-312-aarch64-linux-gnu.so")
        ):
            wrong.append(f"{where}: not a CPython 3.12 aarch64 extension")
        with path.open("rb") as stream:
            header = stream.read(20)
        if header[:4] == ELF_MAGIC:
            machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
            if machine != ELF_MACHINE_AARCH64:
                wrong.append(f"{where}: ELF machine {machine}, not AArch64 ({ELF_MACHINE_AARCH64})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("folder", ["shared", "templates"])
def test_the_layer_holds_our_code_and_templates_as_in_the_repository(folder: str) -> None:
    source, built = ROOT / folder, LAYER / folder
    assert built.is_dir(), f"{folder}/ is not in the layer"
    expected = list(files_under(source))
    assert expected, f"{folder}/ is empty in the repository"
    assert list(files_under(built)) == expected
    changed = [str(path) for path in expected if (source / path).read_bytes() != (built / path).read_bytes()]
    assert not changed, f"differ from the repository: {changed}"


def test_shared_is_compiled_to_python_312_bytecode() -> None:
    """Lambda's file system is read-only: without cpython-312 .pyc files each cold start recompiles shared/."""
    tag = "cpython-312"
    missing = [
        str(path)
        for path in files_under(LAYER / "shared")
        if path.suffix == ".py"
        and not (LAYER / "shared" / path.parent / "__pycache__" / f"{path.stem}.{tag}.pyc").is_file()
    ]
    assert not missing, f"no {tag} bytecode for {missing}"


def test_every_function_is_built_with_its_handler_module() -> None:
    built_template = BUILD / "template.yaml"
    assert built_template.is_file(), "sam build wrote no .aws-sam/build/template.yaml"
    template = load_template(built_template)
    assert template["Resources"]["SharedLayer"]["Properties"]["ContentUri"] == "SharedLayer"
    handlers = function_handlers(template)
    assert handlers, "no functions in the built template"
    for logical_id, (code_uri, handler) in handlers.items():
        module = handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
        assert (BUILD / code_uri / module).is_file(), f"{logical_id}: {code_uri}/{module} was not built"
