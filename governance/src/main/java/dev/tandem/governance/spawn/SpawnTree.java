package dev.tandem.governance.spawn;

/**
 * What the hub knows about a spawn tree at the moment a parent asks for a child; it counts,
 * {@link SpawnRules} decides.
 *
 * @param parentDepth how far the parent sits below its root (a root is depth 0)
 * @param liveChildren the parent's children that are not closed or deleted
 * @param rootDescendants every stream below the root of the parent's tree
 */
public record SpawnTree(int parentDepth, int liveChildren, int rootDescendants) {

  public SpawnTree {
    if (parentDepth < 0 || liveChildren < 0 || rootDescendants < 0) {
      throw new IllegalArgumentException("spawn tree counts cannot be negative");
    }
  }
}
