"""Content hashes that decide whether a step runs again, and the reasons it does.

A step's fingerprint has parts (notebook code, parameters, upstream outputs, `report` sources,
package versions); comparing the parts of the last good run with today's says *why* it reruns.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
from pathlib import Path

import nbformat

from report.pipeline.steps import HASHED_PACKAGES, PROJECT_ROOT

# Parameter values are hashed as values, so the schema module itself need not be.
ALWAYS_HASHED_MODULES = ("report.results",)


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


def code_hash(notebook: nbformat.NotebookNode) -> str:
    """Hash of the code cells only: outputs, execution counts and markdown do not count."""
    sources = [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]
    return sha256_text("\n\x00\n".join(sources))


def module_files(module: str) -> list[Path]:
    """Source files of a `report` module or package."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return []
    origin = Path(spec.origin)
    if origin.name == "__init__.py":
        return sorted(origin.parent.rglob("*.py"))
    return [origin]


def modules_hash(modules: tuple[str, ...]) -> dict[str, str]:
    """Per source file (relative to the project) the hash of its text."""
    hashes = {}
    for module in sorted(set(modules) | set(ALWAYS_HASHED_MODULES)):
        for path in module_files(module):
            try:
                name = str(path.relative_to(PROJECT_ROOT))
            except ValueError:
                name = str(path)
            hashes[name] = sha256_text(path.read_text(encoding="utf-8"))
    return hashes


def package_versions(names: tuple[str, ...] = HASHED_PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


class DigestCache:
    """Remembers file digests keyed by (size, mtime_ns), so a no-op build reads no large file."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            self.entries = {}
        self.dirty = False

    def digest(self, file: Path) -> str:
        stat = file.stat()
        key = str(file.resolve())
        known = self.entries.get(key)
        if known and known["size"] == stat.st_size and known["mtime_ns"] == stat.st_mtime_ns:
            return known["sha256"]
        sha = file_sha256(file)
        self.entries[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha}
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
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
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
        reasons.append("notebook code changed")
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
        reasons.append("source changed: " + ", ".join(touched[:3]) + (" ..." if len(touched) > 3 else ""))
    old_versions, new_versions = old.get("versions", {}), new["versions"]
    bumped = [
        f"{k} {old_versions.get(k)} → {new_versions.get(k)}"
        for k in sorted(set(old_versions) | set(new_versions))
        if old_versions.get(k) != new_versions.get(k)
    ]
    if bumped:
        reasons.append("package versions changed: " + ", ".join(bumped))
    return reasons
