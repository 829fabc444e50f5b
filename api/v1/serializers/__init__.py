"""Explicit input and output serializers of the v1 endpoints, one module per area.

Plain ``Serializer`` classes only: they parse and format, they never decide. Names are unique
across modules because drf-spectacular names the schema components after them.
"""
