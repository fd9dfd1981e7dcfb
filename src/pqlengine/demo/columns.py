"""Arrow column helpers: dictionary decoding, prefixed ids and JSON-typed text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

JSON_TYPE = pa.json_(pa.string())


def _decode(indices: np.ndarray, dictionary: pa.Array, null: np.ndarray | None = None) -> pa.Array:
    """dictionary[indices] as a plain array (null where `null`)."""
    index_array = pa.array(np.asarray(indices, dtype=np.int32), mask=null)
    return pa.DictionaryArray.from_arrays(index_array, dictionary).dictionary_decode()


def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _json_codes(objects: Sequence[dict[str, Any]], codes: np.ndarray) -> pa.Array:
    """JSON text of objects[code] per row."""
    return _as_json(_decode(codes, pa.array([json.dumps(o) for o in objects], pa.string())))


def _as_json(text: pa.Array) -> pa.Array:
    """Strings annotated as JSON (the Parquet JSON logical type), so readers parse them."""
    return pa.ExtensionArray.from_storage(JSON_TYPE, text)
