"""Models and lead scores in the store: the `models` and `lead_scores` tables.

A model is stored as a pickle (a BLOB) next to readable JSON (features, metrics, the typical
entity, the drift reference). Unpickling runs code chosen by whoever wrote the BLOB: only load
models from stores you trust, exactly as you would only run their code. A pickle also only
loads reliably under the scikit-learn version that wrote it, so loading refuses any other.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import sklearn

from pqlengine.compute.entities import to_utc_naive
from pqlengine.config import SEMANTIC_FIELDS, Project
from pqlengine.model.estimator import PQLScoreModel
from pqlengine.model.features import FeatureSpec
from pqlengine.model.insufficient import InsufficientData
from pqlengine.store import Store

MODELS_TABLE = "models"
SCORES_TABLE = "lead_scores"
_TABLES = {
    MODELS_TABLE: (
        "version VARCHAR, created_at TIMESTAMP, definition_version VARCHAR, project_json JSON, "
        "as_of TIMESTAMP, window_days INTEGER, train_until TIMESTAMP, "
        "data_signup_until TIMESTAMP, features JSON, metrics JSON, reference JSON, "
        "sklearn_version VARCHAR, model BLOB"
    ),
    SCORES_TABLE: (
        "entity_id VARCHAR, model_version VARCHAR, score DOUBLE, reasons JSON, "
        "scored_at TIMESTAMP, as_of TIMESTAMP, window_complete BOOLEAN"
    ),
}


@dataclass(frozen=True)
class StoredModel:
    """A model read back from the store."""

    version: str
    created_at: datetime
    definition_version: str
    project: Project  # the semantic fields the features were computed under
    as_of: datetime
    spec: FeatureSpec
    metrics: dict[str, Any]
    reference: dict[str, Any]
    estimator: PQLScoreModel
    train_until: datetime
    data_signup_until: datetime


def ensure_model_tables(store: Store) -> None:
    """Create `models` and `lead_scores` if missing."""
    for name, columns in _TABLES.items():
        store.raw.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")


def project_json(project: Project) -> str:
    """The fields that decide who the entities are and when they sign up and convert."""
    payload = project.model_dump(
        mode="json", include={"project", *SEMANTIC_FIELDS}, exclude_none=True
    )
    return json.dumps(payload, sort_keys=True)


def save_model(
    store: Store,
    estimator: PQLScoreModel,
    spec: FeatureSpec,
    project: Project,
    as_of: datetime,
    train_until: datetime,
    data_signup_until: datetime,
    metrics: dict[str, Any],
    reference: dict[str, Any],
) -> str:
    """Store the model; returns its version (12 hex digits of SHA-256 of the pickle and
    its feature list)."""
    ensure_model_tables(store)
    blob = pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)
    features = json.dumps(spec.to_json())
    version = hashlib.sha256(blob + features.encode()).hexdigest()[:12]
    store.raw.execute(f"DELETE FROM {MODELS_TABLE} WHERE version = ?", [version])
    store.raw.execute(
        f"INSERT INTO {MODELS_TABLE} VALUES (?, ?, ?, ?::JSON, ?, ?, ?, ?, ?::JSON, ?::JSON, "
        "?::JSON, ?, ?)",
        [
            version,
            datetime.now(UTC).replace(tzinfo=None),
            project.version,
            project_json(project),
            to_utc_naive(as_of),
            spec.window_days,
            to_utc_naive(train_until),
            to_utc_naive(data_signup_until),
            features,
            json.dumps(metrics, allow_nan=False),
            json.dumps(reference, allow_nan=False),
            sklearn.__version__,
            blob,
        ],
    )
    return version


def list_models(store: Store) -> list[dict[str, Any]]:
    """Stored models, newest first (without the BLOB)."""
    ensure_model_tables(store)
    rows = store.raw.execute(
        f"SELECT version, created_at, definition_version, as_of, window_days "
        f"FROM {MODELS_TABLE} ORDER BY created_at DESC"
    ).fetchall()
    keys = ("version", "created_at", "definition_version", "as_of", "window_days")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def newest_model_version(store: Store) -> str | None:
    """The version `load_model` loads by default (the newest stored), None when there is
    none; one small query on the `models` table (which must exist: `ensure_model_tables`),
    cheap enough to ask on every live evaluator pass."""
    row = store.raw.execute(
        f"SELECT version FROM {MODELS_TABLE} ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    return None if row is None else str(row[0])


def load_model(store: Store, version: str | None = None) -> StoredModel:
    """The model `version`, or the newest one. Unpickles: trust the store (module doc)."""
    ensure_model_tables(store)
    where, params = ("WHERE version = ?", [version]) if version else ("", [])
    row = store.raw.execute(
        "SELECT version, created_at, definition_version, project_json, as_of, features, "
        "metrics, reference, sklearn_version, model, train_until, data_signup_until "
        f"FROM {MODELS_TABLE} {where} ORDER BY created_at DESC LIMIT 1",
        params,
    ).fetchone()
    if row is None:
        if version:
            raise ValueError(f"no model with version '{version}' in the store")
        raise InsufficientData("no_model", "no model in the store yet: run `pql model train` first")
    if row[8] != sklearn.__version__:
        raise ValueError(
            f"model {row[0]} was pickled by scikit-learn {row[8]} and this is "
            f"{sklearn.__version__}: pickles only load reliably in the same version; "
            "retrain with `pql model train`"
        )
    # Runs code from the BLOB: the store is trusted (module docstring).
    estimator = pickle.loads(row[9])
    return StoredModel(
        version=row[0],
        created_at=row[1],
        definition_version=row[2],
        project=Project.from_dict(json.loads(row[3])),
        as_of=row[4],
        spec=FeatureSpec.from_json(json.loads(row[5])),
        metrics=json.loads(row[6]),
        reference=json.loads(row[7]),
        estimator=estimator,
        train_until=row[10],
        data_signup_until=row[11],
    )


def write_scores(
    store: Store, model_version: str, rows: list[dict[str, Any]], as_of: datetime
) -> datetime:
    """Replace the model's stored scores by `rows` (entity_id, score, reasons,
    window_complete) in one transaction; returns scored_at."""
    ensure_model_tables(store)
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    table = pa.table(
        {
            "entity_id": pa.array([r["entity_id"] for r in rows], pa.string()),
            "model_version": pa.array([model_version] * len(rows), pa.string()),
            "score": pa.array([r["score"] for r in rows], pa.float64()),
            "reasons": pa.array([json.dumps(r["reasons"]) for r in rows], pa.string()),
            "scored_at": pa.array([scored_at] * len(rows), pa.timestamp("us")),
            "as_of": pa.array([to_utc_naive(as_of)] * len(rows), pa.timestamp("us")),
            "window_complete": pa.array([r["window_complete"] for r in rows], pa.bool_()),
        }
    )
    raw = store.raw
    raw.execute("BEGIN TRANSACTION")
    try:
        raw.execute(f"DELETE FROM {SCORES_TABLE} WHERE model_version = ?", [model_version])
        raw.register("_new_scores", table)
        raw.execute(
            f"INSERT INTO {SCORES_TABLE} SELECT entity_id, model_version, score, "
            "reasons::JSON, scored_at, as_of, window_complete FROM _new_scores"
        )
        raw.unregister("_new_scores")
        raw.execute("COMMIT")
    except Exception:
        raw.execute("ROLLBACK")
        raise
    return scored_at
