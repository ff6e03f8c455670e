import type { ComponentChildren } from 'preact';
import { href, onLinkClick } from '../router';

export function Link(props: { to: string; children: ComponentChildren; class?: string }) {
  return (
    <a href={href(props.to)} onClick={onLinkClick} class={props.class}>
      {props.children}
    </a>
  );
}
