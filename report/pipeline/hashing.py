"""Content hashes that decide whether a step runs again, and the reasons it does.

A step's fingerprint has parts (notebook code, parameters, upstream outputs, `report` sources,
package versions); comparing the parts of the last good run with today's says *why* it reruns.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import json
import zipfile
from pathlib import Path

import nbformat

from report.pipeline.atomic import write_text
from report.pipeline.steps import HASHED_PACKAGES, PROJECT_ROOT

PACKAGE_ROOT = PROJECT_ROOT / "report"


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path, chunk_bytes: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


# A key of a results file whose name ends so holds a wall time: it differs between identical runs.
TIMING_SUFFIX = "seconds"


def content_sha256(path: Path) -> str:
    """The digest of what a results file holds, blind to what differs between two identical runs.

    A Keras archive records when it was saved and the memory addresses of shared objects, `np.savez`
    stamps each member with the time, and statistics record wall times; none of that is a result, so
    a step rerun that computes the same numbers gives its dependents the same upstream digest.
    """
    try:
        if path.suffix in (".keras", ".npz"):
            return _archive_sha256(path)
        if path.suffix == ".json":
            return sha256_text(canonical_json(_without_timings(json.loads(path.read_text(encoding="utf-8")))))
    except (zipfile.BadZipFile, ValueError, UnicodeDecodeError):
        pass  # not what its name says: its bytes are all there is to compare
    return file_sha256(path)


def _archive_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            data = archive.read(name)
            if path.suffix == ".keras" and name in ("metadata.json", "config.json"):
                data = canonical_json(_keras_config(json.loads(data), name)).encode("utf-8")
            digest.update(f"{name}\x00{len(data)}\x00".encode())
            digest.update(data)
    return digest.hexdigest()


def _keras_config(value, name: str):
    """A Keras archive's JSON without its save date, shared-object ids numbered in order of appearance."""
    if name == "metadata.json":
        return {key: item for key, item in value.items() if key != "date_saved"}
    numbers: dict = {}

    def renumbered(item):
        if isinstance(item, dict):
            return {key: numbers.setdefault(inner, len(numbers)) if key == "shared_object_id" else renumbered(inner)
                    for key, inner in item.items()}
        if isinstance(item, list):
            return [renumbered(inner) for inner in item]
        return item

    return renumbered(value)


def _without_timings(value):
    if isinstance(value, dict):
        return {key: _without_timings(item) for key, item in value.items() if not str(key).endswith(TIMING_SUFFIX)}
    if isinstance(value, list):
        return [_without_timings(item) for item in value]
    return value


def code_hash(notebook: nbformat.NotebookNode) -> str:
    """Hash of the code cells only: outputs, execution counts and markdown do not count."""
    sources = [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]
    return sha256_text("\n\x00\n".join(sources))


def _module_file(module: str) -> Path | None:
    """The source file of a `report` module or package, found on disk without importing it."""
    return _module_file_under(PACKAGE_ROOT, module)


@functools.lru_cache(maxsize=4096)
def _module_file_under(package_root: Path, module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] != "report":
        return None
    base = package_root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every module name an import statement anywhere in `tree` may load (`from a import b`: a and a.b)."""
    names = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def report_modules(code: str) -> list[Path]:
    """Source files of every `report` module that `code` imports, transitively.

    A module's parent packages count too, since importing `report.stats.slices` runs
    `report/stats/__init__.py`. Imports inside functions count: they run when the function does.
    """
    found: dict[Path, str] = {}
    todo = list(_imported_names(ast.parse(code), "__main__", False))
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            path = _module_file(prefix)
            if path is None or path in found:
                continue
            found[path] = prefix
            todo.extend(_source_imports(path.read_text(encoding="utf-8"), prefix, path.name == "__init__.py"))
    return sorted(found)


@functools.lru_cache(maxsize=1024)
def _source_imports(source: str, module: str, is_package: bool) -> frozenset[str]:
    """The names `source` imports, parsed once per distinct text (every step's fingerprint walks the same modules)."""
    return frozenset(_imported_names(ast.parse(source), module, is_package))


def modules_hash(paths: list[Path]) -> dict[str, str]:
    """Per source file (relative to the project) the hash of its text."""
    hashes = {}
    for path in paths:
        try:
            name = str(path.relative_to(PROJECT_ROOT))
        except ValueError:
            name = str(path)
        hashes[name] = sha256_text(path.read_text(encoding="utf-8"))
    return hashes


def notebook_code(notebook: nbformat.NotebookNode) -> str:
    """The code cells of a notebook as one script (IPython magics left out)."""
    lines = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines.extend(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
    return "\n".join(lines)


def package_versions(names: tuple[str, ...] = HASHED_PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


class DigestCache:
    """Remembers content digests (`content_sha256`) keyed by (size, mtime_ns, ctime_ns), so a no-op build reads no large file.

    The inode change time cannot be set back by a program (unlike mtime), so a file edited in
    place with its size and mtime restored is still read again and its change detected.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            self.entries = {}
        if not isinstance(self.entries, dict):
            self.entries = {}
        self.dirty = False

    def digest(self, file: Path) -> str:
        stat = file.stat()
        key = str(file.resolve())
        known = self.entries.get(key)
        stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns}
        if isinstance(known, dict) and all(known.get(name) == value for name, value in stamp.items()) \
                and isinstance(known.get("content_sha256"), str):
            return known["content_sha256"]
        sha = content_sha256(file)
        self.entries[key] = {**stamp, "content_sha256": sha}
        self.dirty = True
        return sha

    def moved(self, old_folder: Path, new_folder: Path) -> None:
        """Keep the digests of files renamed from old_folder to new_folder (a rename keeps size and mtime)."""
        old_prefix, new_prefix = f"{old_folder.resolve()}/", f"{new_folder.resolve()}/"
        for key in [k for k in self.entries if k.startswith(old_prefix)]:
            self.entries[new_prefix + key[len(old_prefix):]] = self.entries.pop(key)
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text(self.path, json.dumps(self.entries, indent=1, sort_keys=True))
            self.dirty = False


def folder_digest(folder: Path, cache: DigestCache) -> dict[str, str]:
    """Digest of every file in a results folder, by relative path."""
    return {
        str(path.relative_to(folder)): cache.digest(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def combined(parts: dict) -> str:
    return sha256_text(canonical_json(parts))


def _flatten(value, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        flat = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _short(value) -> str:
    text = canonical_json(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "..."


def reasons_to_run(old: dict | None, new: dict) -> list[str]:
    """Human reasons why a step with fingerprint parts `new` differs from the last good run `old`."""
    if old is None:
        return ["never run"]
    reasons = []
    if old.get("code") != new["code"]:
        reasons.append(f"code changed: {new.get('notebook', 'the notebook')}")
    old_params, new_params = _flatten(old.get("parameters", {})), _flatten(new["parameters"])
    changed = [
        f"{key} {_short(old_params.get(key, '(unset)'))} → {_short(new_params.get(key, '(unset)'))}"
        for key in sorted(set(old_params) | set(new_params))
        if old_params.get(key) != new_params.get(key)
    ]
    if changed:
        reasons.append("parameters changed: " + ", ".join(changed[:4]) + (" ..." if len(changed) > 4 else ""))
    if old.get("seed") != new["seed"]:
        reasons.append("seed changed")
    for name in sorted(set(old.get("upstream", {})) | set(new["upstream"])):
        if old.get("upstream", {}).get(name) != new["upstream"].get(name):
            reasons.append(f"upstream {name} changed")
    old_modules, new_modules = old.get("modules", {}), new["modules"]
    touched = sorted(k for k in set(old_modules) | set(new_modules) if old_modules.get(k) != new_modules.get(k))
    if touched:
        reasons.append("code changed: " + ", ".join(touched[:3]) + (" ..." if len(touched) > 3 else ""))
    old_versions, new_versions = old.get("versions", {}), new["versions"]
    bumped = [
        f"{k} {old_versions.get(k)} → {new_versions.get(k)}"
        for k in sorted(set(old_versions) | set(new_versions))
        if old_versions.get(k) != new_versions.get(k)
    ]
    if bumped:
        reasons.append("package versions changed: " + ", ".join(bumped))
    return reasons
