// Preloaded (node --expose-gc -r) into a Node-RED the memory benchmark reads: SIGWINCH (ignored by default, unused by Node-RED) runs
// a full garbage collection, so an RSS reading shows what is retained, not how far the
// collector had let garbage pile up at that instant.
'use strict';
process.on('SIGWINCH', () => {
  if (typeof global.gc === 'function') global.gc();
});
