"""Contact lists: saved criteria over contacts, evaluated each time a list is read."""
