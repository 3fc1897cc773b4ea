"""Registry pages. Views parse the request and render; writes go through actions."""

from qadam.registry.views.documents import document_detail, document_list, document_original
from qadam.registry.views.recommendations import recommendation_detail, recommendation_list

__all__ = [
    "document_detail",
    "document_list",
    "document_original",
    "recommendation_detail",
    "recommendation_list",
]
