"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Qadam API",
    version="1",
    description="Recommendations, source documents and taxonomies. Reads are public.",
    urls_namespace="api",
)
