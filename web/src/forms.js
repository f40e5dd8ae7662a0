// Shared by the edit forms: after a concurrent edit (412) the user reloads
// the record; what they typed must stay, and the fields they left alone
// take the newer values, so saving never undoes someone else's change.

// Copies into draft the values of fresh for every field whose draft value
// is still the one of base (untouched); returns fresh, the new base.
export function rebaseDraft(draft, base, fresh) {
  for (const k of Object.keys(fresh)) {
    if (JSON.stringify(draft[k]) === JSON.stringify(base[k]))
      draft[k] = Array.isArray(fresh[k]) ? [...fresh[k]] : fresh[k]
  }
  return fresh
}
