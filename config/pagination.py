"""API pagination with bounds: an offset no database can hold is a 400, not a 500.

SQLite stores integers in 64 bits and PostgreSQL's OFFSET takes a bigint, so DRF's plain
LimitOffsetPagination passes `?offset=10**20` straight into an OverflowError.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

# Far beyond any real list, far below 2**63.
MAX_OFFSET = 10**12


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500

    def get_offset(self, request):
        offset = super().get_offset(request)
        if offset > MAX_OFFSET:
            raise ValidationError(
                {self.offset_query_param: [_("Ensure this value is at most %s.") % MAX_OFFSET]}
            )
        return offset
