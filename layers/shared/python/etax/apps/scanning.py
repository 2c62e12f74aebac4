"""The virus-scan hook of the app square: a :class:`Scanner` reads a package's bytes and says
whether it is clean. A real account wires its scanner behind this interface (an antivirus
engine or a scanning service); the platform's own, :class:`SignatureScanner`, finds the
industry's antivirus test file (EICAR) in the package and in each of its files, which is what
tests and the local stack use to see a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# the EICAR antivirus test file, built from parts so this module is not itself flagged
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass(frozen=True, slots=True)
class Verdict:
    clean: bool
    finding: str | None = None


class Scanner(Protocol):
    def scan(self, files: dict[str, bytes]) -> Verdict:
        """``files``: the package itself (``""``) and each file inside it, by name."""
        ...


class SignatureScanner:
    """Flags a file holding a known signature (the EICAR test file)."""

    signatures: dict[str, bytes] = {"EICAR-Test-File": EICAR}  # noqa: RUF012 (read only)

    def scan(self, files: dict[str, bytes]) -> Verdict:
        for name, data in files.items():
            for finding, signature in self.signatures.items():
                if signature in data:
                    where = name or "the package"
                    return Verdict(False, f"{finding} in {where[:120]}")
        return Verdict(True)
