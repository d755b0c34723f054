/**
 * Reading upstream JSON defensively: an answer's body may be anything (an
 * HTML error page, truncated JSON, a list where an object was expected).
 */

/** The parsed JSON, or undefined when `text` is not JSON (JSON itself never parses to undefined). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
