"""Writes the OpenAPI document of each FastAPI app given, as specs/<name>.json.

Run by ./generate.sh, which makes the two environments; the tests read only
the JSON it writes.
"""

import importlib.util
import json
import pathlib
import sys

here = pathlib.Path(__file__).parent
for source in map(pathlib.Path, sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(source.stem, source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[source.stem] = module
    spec.loader.exec_module(module)
    document = module.app.openapi()
    target = here / "specs" / f"{source.stem}.json"
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target.relative_to(here)}: {len(document.get('paths', {}))} paths")
