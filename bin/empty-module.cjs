// What `server-only` resolves to under the chatfuzz command: nothing to export, nothing to throw.
