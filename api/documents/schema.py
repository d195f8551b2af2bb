"""Write the case file's JSON Schema: ``python -m api.documents.schema`` → ``case.schema.json``.

A test checks that the committed file equals :func:`api.documents.model.case_json_schema`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.documents.model import case_json_schema

SCHEMA_PATH = Path(__file__).resolve().parent / "case.schema.json"


def schema_text() -> str:
    """The schema as committed: UTF-8 JSON, two-space indent, trailing newline."""
    return json.dumps(case_json_schema(), ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    """Write the schema file (or to the path given as the first argument)."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH
    path.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
