"""Registry pages. Views parse the request and render; writes go through actions."""

from qadam.registry.views.recommendations import recommendation_list

__all__ = ["recommendation_list"]
