package dev.tandem.governance.policy;

/** How large a spawn tree may grow under a stream. */
public record SpawnLimits(int maxDepth, int maxChildren, int maxDescendants) {

  public static final SpawnLimits DEFAULT = new SpawnLimits(8, 64, 1024);

  /** The stricter of two limits, field by field: a child can only narrow its parent's. */
  public SpawnLimits narrowedBy(SpawnLimits child) {
    return new SpawnLimits(Math.min(maxDepth, child.maxDepth), Math.min(maxChildren, child.maxChildren),
        Math.min(maxDescendants, child.maxDescendants));
  }
}
