/** Shapes of /api/people/ (people/api.py) and the page configuration. */

export interface Person {
  id: number;
  username: string;
  email: string;
  roles: string[];
  status: "active" | "paused" | "invited" | string;
  paused_campaigns: number;
  submitted: number;
  gold_accuracy: number | null;
  gold_answers: number;
  agreement: number | null;
  last_login: string | null;
  date_joined: string;
}

export interface IssuedLink {
  id: number;
  username: string;
  link: string;
  expires_at: string;
}

export interface PeopleConfig {
  user: { id: number; username: string };
  urls: { login: string; api: string };
  roles: string[];
}

export interface PersonActions {
  saveRoles: (p: Person, roles: string[]) => void;
  pause: (p: Person) => void;
  resume: (p: Person) => void;
  reset: (p: Person) => void;
}
