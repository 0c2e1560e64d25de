// An identicon from the comment's `avatar` seed: a 5×5 mirrored pattern in one SVG path.
const NS = 'http://www.w3.org/2000/svg';
const shapes = new Map();

function shape(seed) {
  const bits = parseInt(seed.slice(0, 4), 16) || 0;
  let d = '';
  for (let i = 0; i < 15; i++) {
    if (!((bits >> i) & 1)) continue;
    const x = i % 3;
    const y = (i / 3) | 0;
    d += `M${x} ${y}h1v1h-1z`;
    if (x < 2) d += `M${4 - x} ${y}h1v1h-1z`;
  }
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '-1 -1 7 7');
  svg.setAttribute('class', 'palabre-avatar');
  svg.setAttribute('aria-hidden', 'true');
  svg.style.setProperty('--palabre-hue', (parseInt(seed.slice(4, 8), 16) || 0) % 360);
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

export function avatar(seed) {
  const key = String(seed || '0');
  if (!shapes.has(key)) shapes.set(key, shape(key));
  return shapes.get(key).cloneNode(true);
}
