package dev.orpo.model.text;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.Locale;

/**
 * Resolves Python {@code str} method calls that HF chat templates use ({@code .startswith}, {@code .strip('\n')},
 * {@code .split(sep)}, ...) on Java strings. Jinjava would otherwise call Java's methods (missing, or with other
 * semantics: {@code String.split} takes a regex and drops trailing empties). Placed before Jinjava's own resolver.
 */
final class PyStringResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = switch (method.toString()) {
            case "startswith" -> s.startsWith(arg(p, 0, "startswith"));
            case "endswith" -> s.endsWith(arg(p, 0, "endswith"));
            case "strip" -> PyStrings.strip(s, optArg(p));
            case "lstrip" -> PyStrings.lstrip(s, optArg(p));
            case "rstrip" -> PyStrings.rstrip(s, optArg(p));
            case "split" -> PyStrings.split(s, optArg(p));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> s.replace(arg(p, 0, "replace"), arg(p, 1, "replace"));
            case "find" -> s.indexOf(arg(p, 0, "find"));
            default -> null;
        };
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    private static String arg(Object[] p, int i, String method) {
        if (p.length <= i || p[i] == null) {
            throw new IllegalArgumentException("str." + method + "() needs argument " + (i + 1));
        }
        return p[i].toString();
    }

    private static String optArg(Object[] p) {
        return p.length == 0 || p[0] == null ? null : p[0].toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
