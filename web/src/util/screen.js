// A phone-sized screen: dialogs open full screen there.
export function isPhoneWidth() {
  return typeof window !== 'undefined' && window.matchMedia('(max-width: 600px)').matches
}
