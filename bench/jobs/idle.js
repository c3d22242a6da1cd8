// Bench job: stays alive doing nothing, so its memory is a runtime's own floor under corral.
setInterval(() => {}, 1e9);
