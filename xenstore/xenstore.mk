# xenstore: vstored, libvstore and their tests (issue 3).
