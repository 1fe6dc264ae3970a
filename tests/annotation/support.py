import uuid


def answers_for(lease: dict, strength: int = 1) -> list[dict]:
    return [{"dimension": d["key"], "strength": strength} for d in lease["dimensions"]]


def submit_body(lease: dict, strength: int = 1, **overrides) -> dict:
    body = {
        "client_key": uuid.uuid4().hex,
        "video_a": lease["video_a"]["id"],
        "video_b": lease["video_b"]["id"],
        "answers": answers_for(lease, strength),
        "time_spent_ms": 4200,
    }
    body.update(overrides)
    return body


def lease_next(client, campaign_id: int, exclude=()) -> dict:
    response = client.post(f"/api/campaigns/{campaign_id}/next/", {"exclude": list(exclude)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def submit_lease(client, lease: dict, body: dict):
    """POST the body to the leased assignment's submit endpoint; the response, unchecked."""
    return client.post(f"/api/assignments/{lease['assignment']}/submit/", body, format="json")
