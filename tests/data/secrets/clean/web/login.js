// Login form handling.
export async function login(user, password) {
  const response = await fetch("/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${sessionToken()}` },
    body: JSON.stringify({ user, password }),
  });
  if (!response.ok) throw new Error("bad credentials");
  const { token } = await response.json();
  return token;
}
const placeholder = "sk_live_your_key_here";
const apiKey = process.env.API_KEY;
