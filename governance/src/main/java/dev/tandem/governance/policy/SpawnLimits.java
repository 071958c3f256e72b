package dev.tandem.governance.policy;

/**
 * How large a spawn tree may grow. A null field is one the policy document leaves unset: it
 * inherits the parent's value, and {@link #orDefaults()} fills it in only at decision time. That
 * way a child policy that says nothing about spawning never lowers a limit its parent raised.
 *
 * @param maxDepth deepest a stream may sit below its root (the root is depth 0)
 * @param maxChildren live children one stream may have at once
 * @param maxDescendants streams a whole tree may hold below its root
 */
public record SpawnLimits(Integer maxDepth, Integer maxChildren, Integer maxDescendants) {

  /** Nothing set: what a document without {@code spawn} says. */
  public static final SpawnLimits NONE = new SpawnLimits(null, null, null);
  /** The limits that apply where no policy on the path sets one. */
  public static final SpawnLimits DEFAULT = new SpawnLimits(8, 64, 1024);

  public SpawnLimits {
    atLeastOne("maxDepth", maxDepth);
    atLeastOne("maxChildren", maxChildren);
    atLeastOne("maxDescendants", maxDescendants);
  }

  /** Field by field, the stricter of the two; an unset field takes the other's value. */
  public SpawnLimits narrowedBy(SpawnLimits child) {
    return new SpawnLimits(min(maxDepth, child.maxDepth), min(maxChildren, child.maxChildren),
        min(maxDescendants, child.maxDescendants));
  }

  /** Every field set: unset ones take {@link #DEFAULT}'s value. */
  public SpawnLimits orDefaults() {
    return new SpawnLimits(maxDepth == null ? DEFAULT.maxDepth : maxDepth,
        maxChildren == null ? DEFAULT.maxChildren : maxChildren,
        maxDescendants == null ? DEFAULT.maxDescendants : maxDescendants);
  }

  public boolean isEmpty() {
    return maxDepth == null && maxChildren == null && maxDescendants == null;
  }

  private static Integer min(Integer a, Integer b) {
    return a == null ? b : b == null ? a : Integer.valueOf(Math.min(a, b));
  }

  private static void atLeastOne(String field, Integer value) {
    if (value != null && value < 1) {
      throw new PolicyException("spawn." + field + " must be at least 1, got " + value);
    }
  }
}
