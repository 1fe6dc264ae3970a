"""People management (admins): invite annotators and reviewers with one-time sign-in links, set
roles, pause and resume them everywhere, reset passwords, per-person statistics.

`models.py` (SignInLink), `services.py` (writes, each audited), `selectors.py` (the people table
with stats), `api.py` + `urls.py` (/api/people/), `pages.py` (/studio/people/ and the sign-in
link page /accounts/welcome/<token>/)."""
