package dev.tandem.governance.access;

/**
 * Decides whether a principal may act on a stream path. Scopes are the only bound on a token:
 * no role bypasses them, not even {@link Role#ADMIN}. Matching is by whole path segments, so
 * {@code a/b} covers {@code a/b/c} but not {@code a/bc}; a path that {@link StreamPaths#validate}
 * refuses ({@code ..}, encoded characters, empty segments) is never matched, whatever the scope.
 */
public final class ScopeMatcher {

  private ScopeMatcher() {}

  public static boolean allows(Principal principal, Action action, String path) {
    if (principal == null || action == null || StreamPaths.validate(path) != null) {
      return false;
    }
    for (Scope scope : principal.scopes()) {
      boolean grants = scope.actions().contains(action) || scope.actions().contains(Action.ADMIN);
      if (grants && covers(scope.pathPrefix(), path)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code prefix} covers {@code path}, segment-wise. */
  static boolean covers(String prefix, String path) {
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (p.isEmpty() || p.equals("*")) {
      return true;
    }
    return path.equals(p) || path.startsWith(p + "/");
  }
}
