// The bootstrap of /api/docs (a file, so the page's policy needs no inline script): Swagger UI
// over this server's own description, with nothing fetched from anywhere else (no validator
// badge, which would call validator.swagger.io).
(function () {
  'use strict';
  window.SwaggerUIBundle({
    url: new URL('openapi.json', document.baseURI).href,
    domNode: document.getElementById('api-reference'),
    deepLinking: true,
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    tryItOutEnabled: false,
  });
})();
