from .permissions import roles_for


def roles(request) -> dict:
    return {"kiv_roles": roles_for(getattr(request, "user", None))}
