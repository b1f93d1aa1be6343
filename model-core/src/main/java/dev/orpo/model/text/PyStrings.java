package dev.orpo.model.text;

import java.util.ArrayList;
import java.util.List;

/** Python {@code str} semantics that Java's String lacks or gets subtly different (whitespace set, split). */
final class PyStrings {

    private PyStrings() {
    }

    /** Python's {@code str.isspace()} for one char (wider than Java's trim, which only drops chars ≤ U+0020). */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= '\u001f') || c == '\u0085'
                || c == '\u00a0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a') || c == '\u2028'
                || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000';
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    /** {@code str.split(sep)}: literal separator, empty pieces kept; {@code sep == null} splits on whitespace runs. */
    static List<String> split(String s, String sep) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < s.length() && !isSpace(s.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    out.add(s.substring(start, i));
                }
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python's {@code json.dumps(x, ensure_ascii=False)} (HF's {@code tojson}): ", " and ": " separators. */
    static String toJson(Object value) {
        return toJson(value, null, false);
    }

    /**
     * {@code json.dumps(x, ensure_ascii=False, indent=indent, sort_keys=sortKeys)}: with an indent, items go on their
     * own lines and the item separator loses its space, as in Python.
     */
    static String toJson(Object value, Integer indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        writeJson(value, sb, indent, sortKeys, 0);
        return sb.toString();
    }

    private static void writeJson(Object v, StringBuilder sb, Integer indent, boolean sortKeys, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof java.util.Map<?, ?> m) {
            List<java.util.Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sortKeys) {
                entries.sort(java.util.Comparator.comparing(e -> String.valueOf(e.getKey())));
            }
            sb.append('{');
            for (int i = 0; i < entries.size(); i++) {
                separate(sb, i, indent, depth + 1);
                writeString(String.valueOf(entries.get(i).getKey()), sb);
                sb.append(": ");
                writeJson(entries.get(i).getValue(), sb, indent, sortKeys, depth + 1);
            }
            close(sb, entries.isEmpty(), indent, depth);
            sb.append('}');
        } else if (v instanceof Iterable<?> it) {
            sb.append('[');
            int i = 0;
            for (Object o : it) {
                separate(sb, i++, indent, depth + 1);
                writeJson(o, sb, indent, sortKeys, depth + 1);
            }
            close(sb, i == 0, indent, depth);
            sb.append(']');
        } else {
            writeString(v.toString(), sb);
        }
    }

    private static void separate(StringBuilder sb, int index, Integer indent, int depth) {
        if (indent == null) {
            sb.append(index == 0 ? "" : ", ");
        } else {
            sb.append(index == 0 ? "\n" : ",\n").append(" ".repeat(indent * depth));
        }
    }

    private static void close(StringBuilder sb, boolean empty, Integer indent, int depth) {
        if (indent != null && !empty) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
