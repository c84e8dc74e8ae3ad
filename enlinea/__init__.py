"""En Línea: web banking for savings-and-credit cooperatives."""
