/**
 * Translates the parts of Go's RE2 syntax that JavaScript lacks and PromQL users write:
 * inline case-insensitivity, `(?i)` for the rest of the pattern (or the enclosing group) and
 * `(?i:...)` for a group. Letters under it become `[aA]`, and letters and ranges inside character
 * classes gain their other case. `(?s)` is dropped (Myelin always matches `.` across newlines,
 * as PromQL does). Anything else is left to JavaScript's RegExp.
 */
export function goRegexToJs(pattern: string): string {
  let out = '';
  let fold = false;
  const stack: boolean[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(pattern, i);
      const body = pattern.slice(i + 1, end);
      out += '[' + (fold ? foldClass(body) : body) + ']';
      i = end;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?([a-zA-Z]+)(:|\))/.exec(pattern.slice(i));
      if (flags && /^[ims]+$/.test(flags[1])) {
        const i_ = flags[1].includes('i');
        if (flags[2] === ')') {
          // (?i): from here to the end of the enclosing group.
          if (i_) fold = true;
          i += flags[0].length - 1;
          continue;
        }
        stack.push(fold);
        if (i_) fold = true;
        out += '(?:';
        i += flags[0].length - 1;
        continue;
      }
      stack.push(fold);
      out += c;
      continue;
    }
    if (c === ')') {
      fold = stack.pop() ?? false;
      out += c;
      continue;
    }
    out += fold && /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i;
  }
  return p.length - 1;
}

function foldClass(body: string): string {
  let extra = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') {
      i++;
      continue;
    }
    const a = body[i];
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const b = body[i + 2];
      if (/[a-z]/.test(a) && /[a-z]/.test(b)) extra += `${a.toUpperCase()}-${b.toUpperCase()}`;
      else if (/[A-Z]/.test(a) && /[A-Z]/.test(b)) extra += `${a.toLowerCase()}-${b.toLowerCase()}`;
      i += 2;
    } else if (/[a-zA-Z]/.test(a)) extra += a === a.toLowerCase() ? a.toUpperCase() : a.toLowerCase();
  }
  return body + extra;
}
