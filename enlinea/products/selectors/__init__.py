"""Owner-scoped reads of a member's products: the only way views reach them.

Every ``*_for_member`` function takes the member and raises ``Http404`` for an id that
is not theirs (healthchecks' ``_get_check_for_user``). One module per product family.
"""
