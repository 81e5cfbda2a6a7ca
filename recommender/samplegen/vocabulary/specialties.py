"""Specialties and cross-cutting topics of the synthetic cohort (data only).

Entries are ``|``-separated strings so that each fits a few short lines; lists inside a field are
``;``-separated. ``recommender.samplegen.topics`` parses them.

``SPECIALTIES`` entry: ``faculty weight | trainee weight | residency years | specialist noun
| lay names | subspecialties``. Residency years of 0 mark internal-medicine subspecialties
(trainees reach them through an internal medicine residency); general surgery counts its usual
two research years.

``CROSS_TOPICS`` entry, like the entries of ``topics_medical`` and ``topics_surgical``:
``mentor interest | mentor research area | interventions | mentee-side paraphrases``.
Paraphrases are deliberately worded like a student would, avoiding the mentor-side key nouns
where possible, so that retrieval has to bridge vocabulary.
"""

from __future__ import annotations

SPECIALTIES: dict[str, str] = {
    "internal medicine": "34 | 40 | 3 | internist | IM; internal med; general medicine"
    " | hospital medicine; general internal medicine; geriatric medicine",
    "cardiology": "20 | 22 | 0 | cardiologist | cards; heart medicine"
    " | interventional cardiology; electrophysiology; advanced heart failure; cardiac imaging",
    "gastroenterology": "12 | 12 | 0 | gastroenterologist | GI; gut medicine"
    " | hepatology; advanced endoscopy; inflammatory bowel disease",
    "nephrology": "9 | 5 | 0 | nephrologist | nephro; kidney medicine"
    " | transplant nephrology; dialysis; glomerular disease",
    "pulmonary and critical care": "14 | 12 | 0 | pulmonologist and intensivist"
    " | pulm crit; ICU medicine; lung medicine"
    " | critical care medicine; interstitial lung disease; sleep medicine",
    "infectious diseases": "10 | 8 | 0 | infectious diseases physician | ID; infection medicine"
    " | transplant infectious diseases; HIV medicine; hospital epidemiology",
    "endocrinology": "9 | 7 | 0 | endocrinologist | endo; hormone medicine"
    " | diabetes; thyroid disease; bone and mineral metabolism",
    "hematology and oncology": "18 | 16 | 0 | hematologist-oncologist | heme-onc; cancer medicine"
    " | medical oncology; benign hematology; bone marrow transplantation",
    "neurology": "14 | 14 | 4 | neurologist | neuro; brain medicine"
    " | vascular neurology; epilepsy; neuromuscular medicine; movement disorders",
    "psychiatry": "16 | 18 | 4 | psychiatrist | psych; mental health"
    " | child and adolescent psychiatry; addiction psychiatry; consultation-liaison psychiatry",
    "pediatrics": "26 | 26 | 3 | pediatrician | peds; children's medicine"
    " | neonatology; pediatric critical care; pediatric hospital medicine; adolescent medicine",
    "obstetrics and gynecology": "14 | 16 | 4 | obstetrician-gynecologist | OB/GYN; women's health"
    " | maternal-fetal medicine; gynecologic oncology; reproductive endocrinology",
    "general surgery": "18 | 20 | 7 | general surgeon | gen surg; surgery"
    " | trauma and acute care surgery; surgical oncology; colorectal surgery; bariatric surgery",
    "orthopaedic surgery": "12 | 18 | 5 | orthopaedic surgeon | ortho; bone surgery"
    " | sports medicine; adult reconstruction; spine surgery; hand surgery",
    "neurosurgery": "5 | 8 | 7 | neurosurgeon | neurosurg; brain surgery"
    " | cerebrovascular neurosurgery; neurosurgical oncology; spine neurosurgery",
    "emergency medicine": "16 | 20 | 3 | emergency physician | EM; the ER"
    " | emergency ultrasound; toxicology; EMS and prehospital care",
    "family medicine": "18 | 16 | 3 | family physician | family med; primary care"
    " | rural medicine; sports medicine; obstetrics in family medicine",
    "anesthesiology": "14 | 14 | 4 | anesthesiologist | anesthesia; gas"
    " | regional anesthesia; cardiac anesthesiology; pain medicine; obstetric anesthesiology",
    "radiology": "13 | 12 | 6 | radiologist | rads; imaging"
    " | interventional radiology; neuroradiology; breast imaging; body imaging",
    "pathology": "8 | 6 | 4 | pathologist | path; lab medicine"
    " | surgical pathology; hematopathology; cytopathology; transfusion medicine",
    "dermatology": "6 | 14 | 4 | dermatologist | derm; skin medicine"
    " | Mohs surgery; pediatric dermatology; dermatopathology",
    "ophthalmology": "6 | 9 | 4 | ophthalmologist | ophtho; eye surgery"
    " | retina; glaucoma; cornea; oculoplastics",
    "otolaryngology": "6 | 8 | 5 | otolaryngologist | ENT; ear nose and throat"
    " | head and neck surgery; otology; rhinology; laryngology",
    "urology": "6 | 8 | 5 | urologist | uro; urologic surgery"
    " | urologic oncology; endourology; pediatric urology",
    "physical medicine and rehabilitation": "5 | 6 | 4 | physiatrist | PM&R; rehab medicine"
    " | spinal cord injury medicine; brain injury medicine; sports medicine",
    "radiation oncology": "4 | 5 | 5 | radiation oncologist | rad onc; radiation therapy"
    " | stereotactic radiosurgery; pediatric radiation oncology; brachytherapy",
}

CROSS_TOPICS: tuple[str, ...] = (
    "medical education | curriculum design and assessment in medical education"
    " | competency-based assessment; near-peer teaching programs"
    " | teaching other students; becoming a clinician educator; how people learn medicine",
    "global health | global health partnerships and capacity building"
    " | bidirectional exchange programs; task-sharing models"
    " | working abroad in low-income countries; medicine overseas",
    "health equity | structural racism and health disparities"
    " | community-engaged research; social needs screening"
    " | fairness in who gets good care; why some neighborhoods get sicker",
    "quality improvement | quality improvement and patient safety"
    " | plan-do-study-act cycles; root cause analysis"
    " | making hospitals safer; fixing broken processes on the wards",
    "AI in medicine | clinical machine learning and decision support"
    " | large language models; risk prediction models"
    " | computers and chatbots in healthcare; coding projects for doctors",
    "physician wellness | burnout and well-being among physicians"
    " | peer support programs; professional coaching"
    " | not burning out; doctors' own mental health",
    "health policy and advocacy | health insurance coverage and health policy"
    " | Medicaid expansion; legislative advocacy"
    " | changing laws to help patients; the politics of healthcare",
    "clinical ethics | ethics consultation and end-of-life decision-making"
    " | advance directives; ethics committee review"
    " | hard moral questions at the bedside; deciding when to stop treatment",
    "palliative care | serious illness communication"
    " | goals-of-care conversations; early palliative care referral"
    " | talking with dying patients; comfort-focused care",
    "women in medicine | gender equity in academic medicine"
    " | sponsorship programs; parental leave policies"
    " | being a woman in a male-dominated field; being a mom during training",
)
