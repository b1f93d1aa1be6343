package dev.orpo.model.text;

/**
 * Source rewrites for the two Python-Jinja constructs Jinjava's expression parser cannot read, applied before
 * compiling a chat template:
 * <ul>
 *   <li>slices {@code x[a:b:c]} become the filter {@code x|py_slice(a,b,c)} (Python slice semantics);</li>
 *   <li>named arguments of {@code namespace(k=expr, ...)} get parentheses, {@code k=(expr)}, because Jinjava binds
 *   {@code k=messages|length} before {@code - 1}.</li>
 * </ul>
 * Also drops one trailing newline of the source, as Python Jinja does unless {@code keep_trailing_newline}.
 */
final class JinjaRewrites {

    private JinjaRewrites() {
    }

    static String apply(String source) {
        String s = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int open = nextTag(s, i);
            if (open < 0) {
                out.append(s.substring(i));
                break;
            }
            out.append(s, i, open + 2);
            String closer = s.charAt(open + 1) == '{' ? "}}" : "%}";
            int close = tagEnd(s, open + 2, closer);
            out.append(parenthesizeNamespaceArgs(rewriteSlices(s.substring(open + 2, close)))).append(closer);
            i = close + 2;
        }
        return out.toString();
    }

    /** Start of the next {@code {{} or {@code {%} (comments {@code {#...#}} are copied as text). */
    private static int nextTag(String s, int from) {
        for (int j = s.indexOf('{', from); j >= 0 && j + 1 < s.length(); j = s.indexOf('{', j + 1)) {
            char n = s.charAt(j + 1);
            if (n == '{' || n == '%') {
                return j;
            }
            if (n == '#') {
                int end = s.indexOf("#}", j + 2);
                if (end < 0) {
                    return -1;
                }
                j = end;
            }
        }
        return -1;
    }

    private static int tagEnd(String s, int from, String closer) {
        for (int j = from; j < s.length() - 1; j++) {
            char ch = s.charAt(j);
            if (ch == '\'' || ch == '"') {
                j = skipString(s, j) - 1;
            } else if (s.startsWith(closer, j)) {
                return j;
            }
        }
        throw new IllegalArgumentException("chat template: tag opened at offset " + (from - 2) + " is not closed");
    }

    static String rewriteSlices(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = skipString(s, i);
                out.append(s, i, end);
                i = end;
                continue;
            }
            if (c == '[' && i > 0 && isSubscriptTarget(s.charAt(i - 1))) {
                int close = matching(s, i, '[', ']');
                String inner = s.substring(i + 1, close);
                int[] colons = topLevelColons(inner);
                if (colons.length > 0) {
                    if (close + 1 < s.length() && (s.charAt(close + 1) == '.' || s.charAt(close + 1) == '[')) {
                        throw new IllegalArgumentException("chat template: a slice followed by '.' or '[' is not "
                                + "supported: " + s.substring(Math.max(0, i - 20), Math.min(s.length(), close + 10)));
                    }
                    String start = inner.substring(0, colons[0]).trim();
                    String stop = inner.substring(colons[0] + 1, colons.length > 1 ? colons[1] : inner.length()).trim();
                    String step = colons.length > 1 ? inner.substring(colons[1] + 1).trim() : "";
                    out.append("|py_slice(").append(orNone(rewriteSlices(start))).append(", ")
                            .append(orNone(rewriteSlices(stop))).append(", ").append(orNone(rewriteSlices(step)))
                            .append(')');
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    static String parenthesizeNamespaceArgs(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int at = s.indexOf("namespace(", i);
            if (at < 0 || (at > 0 && Character.isJavaIdentifierPart(s.charAt(at - 1)))) {
                if (at < 0) {
                    out.append(s.substring(i));
                    return out.toString();
                }
                out.append(s, i, at + 1);
                i = at + 1;
                continue;
            }
            int open = at + "namespace".length();
            int close = matching(s, open, '(', ')');
            out.append(s, i, open + 1);
            String args = s.substring(open + 1, close);
            int from = 0;
            StringBuilder rewritten = new StringBuilder();
            for (int comma : topLevel(args, ',')) {
                rewritten.append(wrapNamed(args.substring(from, comma))).append(',');
                from = comma + 1;
            }
            rewritten.append(wrapNamed(args.substring(from)));
            out.append(rewritten).append(')');
            i = close + 1;
        }
    }

    private static String wrapNamed(String arg) {
        int eq = arg.indexOf('=');
        if (eq < 0 || (eq + 1 < arg.length() && arg.charAt(eq + 1) == '=')
                || !arg.substring(0, eq).trim().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return arg;
        }
        return arg.substring(0, eq + 1) + "(" + arg.substring(eq + 1).trim() + ")";
    }

    private static boolean isSubscriptTarget(char prev) {
        return Character.isJavaIdentifierPart(prev) || prev == ')' || prev == ']';
    }

    private static String orNone(String part) {
        return part.isEmpty() ? "none" : part;
    }

    private static int skipString(String s, int i) {
        char quote = s.charAt(i);
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != quote) {
            j += s.charAt(j) == '\\' ? 2 : 1;
        }
        return Math.min(j + 1, s.length());
    }

    private static int matching(String s, int open, char o, char c) {
        int depth = 0;
        for (int j = open; j < s.length(); j++) {
            char ch = s.charAt(j);
            if (ch == '\'' || ch == '"') {
                j = skipString(s, j) - 1;
            } else if (ch == o) {
                depth++;
            } else if (ch == c && --depth == 0) {
                return j;
            }
        }
        throw new IllegalArgumentException("chat template: unbalanced '" + o + "' at offset " + open);
    }

    private static int[] topLevelColons(String inner) {
        return topLevel(inner, ':');
    }

    /** Offsets of {@code target} outside strings and nested brackets/braces/parens. */
    private static int[] topLevel(String s, char target) {
        java.util.List<Integer> hits = new java.util.ArrayList<>();
        int depth = 0;
        for (int j = 0; j < s.length(); j++) {
            char ch = s.charAt(j);
            if (ch == '\'' || ch == '"') {
                j = skipString(s, j) - 1;
            } else if (ch == '[' || ch == '(' || ch == '{') {
                depth++;
            } else if (ch == ']' || ch == ')' || ch == '}') {
                depth--;
            } else if (ch == target && depth == 0) {
                hits.add(j);
            }
        }
        return hits.stream().mapToInt(Integer::intValue).toArray();
    }
}
