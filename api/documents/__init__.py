"""Penalty documents: case model, procedure selection and rendering (issue 5; DOMAIN.md §4, §6).

Public API::

    from api.documents import render, render_bundle, select_documents, load_case
    from api.documents.render import store_verifier
    docx_bytes = render("penalty_decision", load_case(path), "docx", verify=store_verifier(store_path))
"""

from api.documents.errors import DocumentError
from api.documents.model import Case, Kind, case_json_schema, load_case
from api.documents.procedure import ProcedurePlan, select_documents
from api.documents.render import build_document, document_kinds, render, render_bundle, zip_bundle

__all__ = [
    "Case",
    "DocumentError",
    "Kind",
    "ProcedurePlan",
    "build_document",
    "case_json_schema",
    "document_kinds",
    "load_case",
    "render",
    "render_bundle",
    "select_documents",
    "zip_bundle",
]
