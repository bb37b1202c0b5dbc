"""Site-wide views that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
