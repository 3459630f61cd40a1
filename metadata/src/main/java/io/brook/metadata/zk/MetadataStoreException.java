package io.brook.metadata.zk;

import org.apache.zookeeper.KeeperException;

/**
 * A ZooKeeper operation failed. {@link #code()} tells why (BADVERSION: a conditional write lost a
 * race; NODEEXISTS, NONODE; CONNECTIONLOSS / SESSIONEXPIRED: retry once connected).
 */
public class MetadataStoreException extends RuntimeException {
  private final KeeperException.Code code;

  public MetadataStoreException(String message, Throwable cause) {
    super(message + ": " + cause.getMessage(), cause);
    this.code = cause instanceof KeeperException ke ? ke.code() : KeeperException.Code.SYSTEMERROR;
  }

  public KeeperException.Code code() {
    return code;
  }

  public boolean isBadVersion() {
    return code == KeeperException.Code.BADVERSION;
  }

  public boolean isNodeExists() {
    return code == KeeperException.Code.NODEEXISTS;
  }

  public boolean isNoNode() {
    return code == KeeperException.Code.NONODE;
  }
}
