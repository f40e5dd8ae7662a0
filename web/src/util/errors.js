// The API's errors in words: its message as it comes, in the user's language
// (api.js sends Accept-Language, and the API answers in it).
export function errorText(e) {
  if (!e) return ''
  return e.message || String(e)
}
