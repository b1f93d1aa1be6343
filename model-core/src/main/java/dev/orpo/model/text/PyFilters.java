package dev.orpo.model.text;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Jinja filters and functions with Python semantics, registered over Jinjava's own. */
final class PyFilters {

    private PyFilters() {
    }

    /** transformers' {@code raise_exception(message)}: aborts the render with this message. */
    public static String raiseException(String message) {
        throw new ChatTemplate.ChatTemplateException("raise_exception: " + message);
    }

    /** Jinja's {@code trim(chars=None)} = Python {@code str.strip}. */
    static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var == null ? "" : PyStrings.strip(var.toString(), args.length > 0 ? args[0] : null);
        }
    }

    /** transformers' {@code tojson}: {@code json.dumps(x, ensure_ascii=False, indent=..., sort_keys=...)}. */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Map<String, Object> kw = kwargs == null ? Map.of() : kwargs;
            for (String key : kw.keySet()) {
                if (!key.equals("indent") && !key.equals("sort_keys")) {
                    throw new IllegalArgumentException("tojson: argument " + key + " is not supported");
                }
            }
            Object indent = args != null && args.length > 0 ? args[0] : kw.get("indent");
            Object sortKeys = kw.get("sort_keys");
            return PyStrings.toJson(var, indent == null ? null : Integer.valueOf(indent.toString().trim()),
                    sortKeys != null && Boolean.parseBoolean(sortKeys.toString()));
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }
    }

    /** {@code x|py_slice(start, stop, step)} = Python {@code x[start:stop:step]} on lists and strings. */
    static final class Slice implements Filter {
        @Override
        public String getName() {
            return "py_slice";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            List<Object> items = new ArrayList<>();
            boolean string = var instanceof String;
            if (string) {
                ((String) var).chars().forEach(c -> items.add((char) c));
            } else if (var instanceof Iterable<?> it) {
                it.forEach(items::add);
            } else {
                throw new IllegalArgumentException("cannot slice " + (var == null ? "undefined" : var.getClass()));
            }
            Integer step = integer(args, 2);
            int st = step == null ? 1 : step;
            if (st == 0) {
                throw new IllegalArgumentException("slice step cannot be zero");
            }
            int n = items.size();
            int start = bound(integer(args, 0), n, st > 0 ? 0 : n - 1, st);
            int stop = bound(integer(args, 1), n, st > 0 ? n : -1, st);
            List<Object> out = new ArrayList<>();
            for (int i = start; st > 0 ? i < stop : i > stop; i += st) {
                out.add(items.get(i));
            }
            if (string) {
                StringBuilder sb = new StringBuilder();
                out.forEach(sb::append);
                return sb.toString();
            }
            return out;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, (Object[]) args, Map.of());
        }

        private static Integer integer(Object[] args, int i) {
            if (args == null || args.length <= i || args[i] == null) {
                return null;
            }
            return args[i] instanceof Number num ? num.intValue() : Integer.parseInt(args[i].toString().trim());
        }

        /** Python's slice index normalisation. */
        private static int bound(Integer idx, int n, int dflt, int step) {
            if (idx == null) {
                return dflt;
            }
            int i = idx < 0 ? idx + n : idx;
            if (step > 0) {
                return Math.max(0, Math.min(i, n));
            }
            return Math.max(-1, Math.min(i, n - 1));
        }
    }
}
