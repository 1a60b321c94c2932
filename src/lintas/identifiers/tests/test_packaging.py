"""The identifier library stays a plain library: importable and usable without Django."""

import subprocess
import sys


def test_import_does_not_load_django():
    code = (
        "import lintas.identifiers, sys; "
        "lintas.identifiers.normalize('010-1234-5678', 'phone', 'KR'); "
        "lintas.identifiers.extract('call +66 81 234 5678'); "
        "import lintas.identifiers.cli; "
        "assert not any(m.startswith('django') for m in sys.modules), sorted(m for m in sys.modules if 'django' in m)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_public_api_is_exported():
    import lintas.identifiers as ids

    assert set(ids.__all__) >= {"normalize", "detect", "extract", "Result", "IdentifierType"}
    result = ids.normalize("+82 10-1234-5678")
    assert isinstance(result, ids.Result)
    assert result.type is ids.IdentifierType.PHONE
