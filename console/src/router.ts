import { useEffect, useState } from 'preact/hooks';

const BASE = '/console';

export interface Location {
  path: string;
  params: URLSearchParams;
}

function current(): Location {
  const path = location.pathname.startsWith(BASE)
    ? location.pathname.slice(BASE.length) || '/'
    : '/';
  return { path: path.replace(/\/+$/, '') || '/', params: new URLSearchParams(location.search) };
}

/** Goes to a console path (`/deliveries?status=failed`) without reloading the page. */
export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to === '/' ? '/' : to}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function href(to: string): string {
  return `${BASE}${to}`;
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return loc;
}

/** A link that navigates in place on a plain click and keeps ctrl/middle-click working. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
    return;
  const a = e.currentTarget as HTMLAnchorElement;
  e.preventDefault();
  navigate(a.pathname.slice(BASE.length) + a.search);
}
